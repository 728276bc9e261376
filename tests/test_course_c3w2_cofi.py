"""The Machine Learning Specialization's course 3 week 2 collaborative-filtering assignment (and the
optional lab's GradientTape toy) run with ``tensorflow`` renamed to ``glassnet``: what it prints must
be what TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21).

The course's data files (small_movies_X.csv ... small_movie_list.csv, MovieLens-derived) are not here:
stand-ins of the same layout (movies in rows, users in columns, ratings 0.5..5 in steps of 0.5, R the
0/1 rated mask, X W b pre-computed parameters, a movie list with mean rating, count and title) are
written by the program itself with NumPy, and ``recsys_utils``'s loaders are inlined. Sizes are
smaller than the course's (40 movies, 12 users, 10 pre-computed features; 100 learned features and
200 Adam steps as in the notebook). The starting X, W, b come from ``tf.random.set_seed(1234)`` and
``tf.random.normal`` as in the notebook: glassnet draws TensorFlow's own numbers there, so the costs
printed during training are TF's to the digit. The DataFrame of predictions (six digits) is compared
to float32's last digits (Adam on float64 variables: see ``NUMERIC``)."""
from conftest import assert_guide_prints, renamed

PROGRAM = r'''import os
import tempfile
import numpy as np
import pandas as pd
from numpy import loadtxt
import tensorflow as tf
from tensorflow import keras

os.chdir(tempfile.mkdtemp())
# stand-in data files, the course's layout
rng = np.random.default_rng(0)
nm, nu, nf = 40, 12, 10
R0 = (rng.random((nm, nu)) < 0.4).astype(float)
Y0 = np.round(rng.uniform(0.5, 5, (nm, nu)) * 2) / 2 * R0
for name, a in [("X", rng.normal(0, 0.5, (nm, nf))), ("W", rng.normal(0, 0.5, (nu, nf))),
                ("b", rng.normal(0, 0.5, (nu,))), ("Y", Y0), ("R", R0)]:
    np.savetxt(f"small_movies_{name}.csv", a, delimiter=",")
pd.DataFrame({"mean rating": Y0.sum(1) / np.maximum(R0.sum(1), 1), "number of ratings": R0.sum(1).astype(int),
              "title": [f"Movie number {i} ({2000 + i % 20})" for i in range(nm)]}).rename_axis("movieId") \
    .to_csv("small_movie_list.csv")

# recsys_utils, as the course ships it
def normalizeRatings(Y, R):
    Ymean = (np.sum(Y*R,axis=1)/(np.sum(R, axis=1)+1e-12)).reshape(-1,1)
    Ynorm = Y - np.multiply(Ymean, R)
    return(Ynorm, Ymean)

def load_precalc_params_small():
    X = loadtxt(open('small_movies_X.csv', 'rb'), delimiter = ",")
    W = loadtxt(open('small_movies_W.csv', 'rb'), delimiter = ",")
    b = loadtxt(open('small_movies_b.csv', 'rb'), delimiter = ",")
    b = b.reshape(1,-1)
    num_movies, num_features = X.shape
    num_users,_ = W.shape
    return(X, W, b, num_movies, num_features, num_users)

def load_ratings_small():
    Y = loadtxt(open('small_movies_Y.csv', 'rb'), delimiter = ",")
    R = loadtxt(open('small_movies_R.csv', 'rb'), delimiter = ",")
    return(Y,R)

def load_Movie_List_pd():
    df = pd.read_csv('small_movie_list.csv', header=0, index_col=0,  delimiter=',', quotechar='"')
    mlist = df["title"].to_list()
    return(mlist, df)

# the optional lab: gradient descent on one weight with a GradientTape
w = tf.Variable(3.0)
x = 1.0
y = 1.0
alpha = 0.01
iterations = 30
for iter in range(iterations):
    with tf.GradientTape() as tape:
        fwb = w*x
        costJ = (fwb - y)**2
    [dJdw] = tape.gradient( costJ, [w] )
    w.assign_add(-alpha * dJdw)
    if iter % 10 == 0:
        print(f"iteration {iter}: cost {costJ:0.4f} {costJ}, dJdw {dJdw}")
print(w)
print(repr(dJdw))

# the assignment
X, W, b, num_movies, num_features, num_users = load_precalc_params_small()
Y, R = load_ratings_small()
print("Y", Y.shape, "R", R.shape)
print("X", X.shape)
print("W", W.shape)
print("b", b.shape)
print("num_features", num_features)
print("num_movies",   num_movies)
print("num_users",    num_users)
tsmean =  np.mean(Y[0, R[0, :].astype(bool)])
print(f"Average rating for movie 1 : {tsmean:0.3f} / 5" )

def cofi_cost_func(X, W, b, Y, R, lambda_):
    nm, nu = Y.shape
    J = 0
    for j in range(nu):
        w = W[j,:]
        b_j = b[0,j]
        for i in range(nm):
            x = X[i,:]
            y = Y[i,j]
            r = R[i,j]
            J += np.square(r * (np.dot(w,x) + b_j - y ) )
    J += (lambda_) * (np.sum(np.square(W)) + np.sum(np.square(X)))
    J = J/2
    return J

num_users_r = 4
num_movies_r = 5
num_features_r = 3
X_r = X[:num_movies_r, :num_features_r]
W_r = W[:num_users_r,  :num_features_r]
b_r = b[0, :num_users_r].reshape(1,-1)
Y_r = Y[:num_movies_r, :num_users_r]
R_r = R[:num_movies_r, :num_users_r]
J = cofi_cost_func(X_r, W_r, b_r, Y_r, R_r, 0);
print(f"Cost: {J:0.2f}")
J = cofi_cost_func(X_r, W_r, b_r, Y_r, R_r, 1.5);
print(f"Cost (with regularization): {J:0.2f}")

def cofi_cost_func_v(X, W, b, Y, R, lambda_):
    j = (tf.linalg.matmul(X, tf.transpose(W)) + b - Y)*R
    J = 0.5 * tf.reduce_sum(j**2) + (lambda_/2) * (tf.reduce_sum(X**2) + tf.reduce_sum(W**2))
    return J

J = cofi_cost_func_v(X_r, W_r, b_r, Y_r, R_r, 0);
print(f"Cost: {J:0.2f}")
J = cofi_cost_func_v(X_r, W_r, b_r, Y_r, R_r, 1.5);
print(f"Cost (with regularization): {J:0.2f}")
print(repr(J))

movieList, movieList_df = load_Movie_List_pd()
my_ratings = np.zeros(num_movies)
my_ratings[30] = 5
my_ratings[29] = 2;
my_ratings[9]  = 5
my_ratings[2]  = 5
my_ratings[27] = 3
my_ratings[11] = 5
my_ratings[3]  = 2
my_ratings[33] = 1
my_rated = [i for i in range(len(my_ratings)) if my_ratings[i] > 0]
print('\nNew user ratings:\n')
for i in range(len(my_ratings)):
    if my_ratings[i] > 0 :
        print(f'Rated {my_ratings[i]} for  {movieList_df.loc[i,"title"]}');

Y, R = load_ratings_small()
Y    = np.c_[my_ratings, Y]
R    = np.c_[(my_ratings != 0).astype(int), R]
Ynorm, Ymean = normalizeRatings(Y, R)

num_movies, num_users = Y.shape
num_features = 100
tf.random.set_seed(1234) # for consistent results
W = tf.Variable(tf.random.normal((num_users,  num_features),dtype=tf.float64),  name='W')
X = tf.Variable(tf.random.normal((num_movies, num_features),dtype=tf.float64),  name='X')
b = tf.Variable(tf.random.normal((1,          num_users),   dtype=tf.float64),  name='b')
print(W.name, W.shape, W.dtype, X.trainable, b.numpy()[0, :3])
optimizer = keras.optimizers.Adam(learning_rate=1e-1)

iterations = 200
lambda_ = 1
for iter in range(iterations):
    with tf.GradientTape() as tape:
        cost_value = cofi_cost_func_v(X, W, b, Ynorm, R, lambda_)
    grads = tape.gradient( cost_value, [X,W,b] )
    optimizer.apply_gradients( zip(grads, [X,W,b]) )
    if iter % 20 == 0:
        print(f"Training loss at iteration {iter}: {cost_value:0.1f}")
print(grads[0].dtype, grads[0].shape, optimizer.iterations.numpy())

p = np.matmul(X.numpy(), np.transpose(W.numpy())) + b.numpy()
pm = p + Ymean
my_predictions = pm[:,0]
ix = tf.argsort(my_predictions, direction='DESCENDING')
print(ix.dtype, ix.shape)
for i in range(17):
    j = ix[i]
    if j not in my_rated:
        print(f'Predicting rating {my_predictions[j]:0.2f} for movie {movieList[j]}')

print('\n\nOriginal vs Predicted ratings:\n')
for i in range(len(my_ratings)):
    if my_ratings[i] > 0:
        print(f'Original {my_ratings[i]}, Predicted {my_predictions[i]:0.2f} for {movieList[i]}')

filter=(movieList_df["number of ratings"] > 2)
movieList_df["pred"] = my_predictions
movieList_df = movieList_df.reindex(columns=["pred", "mean rating", "number of ratings", "title"])
print(movieList_df.loc[ix[:30]].loc[filter].sort_values("mean rating", ascending=False))
'''

TF_OUTPUT = [
    'iteration 0: cost 4.0000 4.0, dJdw 4.0',
    'iteration 10: cost 2.6704 2.670431613922119, dJdw 3.2682909965515137',
    'iteration 20: cost 1.7828 1.782801866531372, dJdw 2.6704320907592773',
    "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=2.090968370437622>",
    '<tf.Tensor: shape=(), dtype=float32, numpy=2.226466178894043>',
    'Y (40, 12) R (40, 12)',
    'X (40, 10)',
    'W (12, 10)',
    'b (1, 12)',
    'num_features 10',
    'num_movies 40',
    'num_users 12',
    'Average rating for movie 1 : 2.500 / 5',
    'Cost: 53.64',
    'Cost (with regularization): 61.06',
    'Cost: 53.64',
    'Cost (with regularization): 61.06',
    '<tf.Tensor: shape=(), dtype=float64, numpy=61.06492564102977>',
    '',
    'New user ratings:',
    '',
    'Rated 5.0 for  Movie number 2 (2002)',
    'Rated 2.0 for  Movie number 3 (2003)',
    'Rated 5.0 for  Movie number 9 (2009)',
    'Rated 5.0 for  Movie number 11 (2011)',
    'Rated 3.0 for  Movie number 27 (2007)',
    'Rated 2.0 for  Movie number 29 (2009)',
    'Rated 5.0 for  Movie number 30 (2010)',
    'Rated 1.0 for  Movie number 33 (2013)',
    "W:0 (13, 100) <dtype: 'float64'> True [-0.08194051  0.7000041  -0.98175261]",
    'Training loss at iteration 0: 11878.4',
    'Training loss at iteration 20: 1263.5',
    'Training loss at iteration 40: 485.6',
    'Training loss at iteration 60: 226.8',
    'Training loss at iteration 80: 123.4',
    'Training loss at iteration 100: 77.4',
    'Training loss at iteration 120: 56.0',
    'Training loss at iteration 140: 46.1',
    'Training loss at iteration 160: 41.5',
    'Training loss at iteration 180: 39.4',
    "<dtype: 'float64'> (40, 100) 200",
    "<dtype: 'int32'> (40,)",
    'Predicting rating 4.96 for movie Movie number 19 (2019)',
    'Predicting rating 4.17 for movie Movie number 25 (2005)',
    'Predicting rating 4.12 for movie Movie number 8 (2008)',
    'Predicting rating 3.91 for movie Movie number 15 (2015)',
    'Predicting rating 3.81 for movie Movie number 13 (2013)',
    'Predicting rating 3.57 for movie Movie number 20 (2000)',
    'Predicting rating 3.50 for movie Movie number 37 (2017)',
    'Predicting rating 3.47 for movie Movie number 5 (2005)',
    'Predicting rating 3.45 for movie Movie number 34 (2014)',
    'Predicting rating 3.41 for movie Movie number 17 (2017)',
    'Predicting rating 3.26 for movie Movie number 39 (2019)',
    'Predicting rating 3.23 for movie Movie number 32 (2012)',
    'Predicting rating 3.09 for movie Movie number 38 (2018)',
    '',
    '',
    'Original vs Predicted ratings:',
    '',
    'Original 5.0, Predicted 4.83 for Movie number 2 (2002)',
    'Original 2.0, Predicted 2.26 for Movie number 3 (2003)',
    'Original 5.0, Predicted 4.50 for Movie number 9 (2009)',
    'Original 5.0, Predicted 4.90 for Movie number 11 (2011)',
    'Original 3.0, Predicted 2.91 for Movie number 27 (2007)',
    'Original 2.0, Predicted 2.25 for Movie number 29 (2009)',
    'Original 5.0, Predicted 4.80 for Movie number 30 (2010)',
    'Original 1.0, Predicted 1.55 for Movie number 33 (2013)',
    '             pred  mean rating  number of ratings                   title',
    'movieId                                                                  ',
    '19       4.961195     4.166667                  3  Movie number 19 (2019)',
    '8        4.121340     4.000000                  3   Movie number 8 (2008)',
    '11       4.898265     3.666667                  3  Movie number 11 (2011)',
    '2        4.832676     3.500000                  4   Movie number 2 (2002)',
    '25       4.166155     3.375000                  4  Movie number 25 (2005)',
    '30       4.795394     3.166667                  6  Movie number 30 (2010)',
    '5        3.473612     3.083333                  6   Movie number 5 (2005)',
    '13       3.808743     2.900000                  5  Movie number 13 (2013)',
    '37       3.497508     2.833333                  3  Movie number 37 (2017)',
    '15       3.910116     2.800000                  5  Movie number 15 (2015)',
    '38       3.085155     2.750000                  6  Movie number 38 (2018)',
    '1        2.503165     2.700000                  5   Movie number 1 (2001)',
    '14       2.957523     2.666667                  3  Movie number 14 (2014)',
    '31       2.614834     2.666667                  6  Movie number 31 (2011)',
    '39       3.258214     2.642857                  7  Movie number 39 (2019)',
    '26       2.856604     2.625000                  4  Movie number 26 (2006)',
    '20       3.565134     2.625000                  4  Movie number 20 (2000)',
    '17       3.413315     2.416667                  6  Movie number 17 (2017)',
    '24       2.946890     2.375000                  4  Movie number 24 (2004)',
    '21       2.829360     2.333333                  3  Movie number 21 (2001)',
    '10       2.503288     2.083333                  6  Movie number 10 (2010)',
    '27       2.909632     2.071429                  7  Movie number 27 (2007)',
    '36       2.553687     2.000000                  3  Movie number 36 (2016)',
    '18       2.426395     2.000000                  4  Movie number 18 (2018)',
    '16       2.450922     2.000000                  5  Movie number 16 (2016)',
    '9        4.496127     1.900000                  5   Movie number 9 (2009)',
    '22       2.422402     1.750000                  4  Movie number 22 (2002)',
    '',
]

# the DataFrame's rows: six digits of predictions after 200 Adam steps on float64 variables
NUMERIC = range(69, 96)


def test_collaborative_filtering_assignment_prints_what_tf_printed():
    assert_guide_prints(renamed(PROGRAM), "c3w2_cofi", TF_OUTPUT, numeric=NUMERIC, loose_spaces=True)
